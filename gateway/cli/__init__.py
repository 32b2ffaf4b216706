"""The ``edigw`` command line: a click group and one module per subcommand."""
