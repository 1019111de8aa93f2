"""Item pipelines: thin adapters from Scrapy items to ``archive`` writes."""
