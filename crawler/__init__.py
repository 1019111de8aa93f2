"""The Scrapy project: settings, items, middlewares and the ``blog`` spider."""
