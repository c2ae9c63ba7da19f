"""One module per `citydip` subcommand; each has register(subparsers) setting a handler."""
