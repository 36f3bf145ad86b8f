"""Client feedback: surveys, invitations, the public form and the JSON endpoint."""
