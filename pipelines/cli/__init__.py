"""The `citydip` command line (main.py), one module per subcommand with register(subparsers)."""
