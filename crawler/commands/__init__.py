"""Project commands (``COMMANDS_MODULE``): ``crawl`` with settings checked before the reactor starts."""
