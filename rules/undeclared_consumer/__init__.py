"""`undeclared-consumer`: artifacts one part of the repository writes and another reads
without any declared pipeline edge (Sculley et al. 2015, sec. 2: undeclared consumers)."""
