//! The model written out in CPLEX LP format, from the row registry, with readable names.
