"""Spiders: ``blog`` crawls WordPress and any blog with feeds, sitemaps or plain links."""
