"""Owners, vehicles, vehicle keys and who owned which vehicle when."""
