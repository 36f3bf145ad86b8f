"""Publishing: release tables and cubes, the release calendar, outputs and public pages."""
