"""Links and counts for a page of a paged listing (the library, events)."""

from urllib.parse import urlencode


class PageLinks:
    """For a listing that has ``page_number``, ``num_pages``, ``total``,
    ``per_page`` and ``page_url(number)``."""

    @staticmethod
    def url_with(params, **extra):
        pairs = list(params) + [(k, v) for k, v in extra.items() if v is not None]
        return "?" + urlencode(pairs) if pairs else "?"

    @property
    def previous_url(self):
        return self.page_url(self.page_number - 1) if self.page_number > 1 else ""

    @property
    def next_url(self):
        return self.page_url(self.page_number + 1) if self.page_number < self.num_pages else ""

    @property
    def start_index(self):
        return (self.page_number - 1) * self.per_page + 1 if self.total else 0

    @property
    def end_index(self):
        return min(self.total, self.page_number * self.per_page)
