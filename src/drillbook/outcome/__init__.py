"""Outcomes: the Result of a run, its JSON schema, the history, the regression gate, the
recorder every way of running scenarios shares."""
