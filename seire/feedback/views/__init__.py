"""The feedback pages: the public form (`public`) and the staff's links and responses (`staff`)."""
