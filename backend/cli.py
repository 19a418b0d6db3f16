"""``flask`` commands: set up organisations, people, pairings and tablets; demo data."""


def init_app(app):
    pass
