"""Views of the community app that are not Wagtail pages: accounts
(``accounts``) and working group requests and documents (``working_groups``)."""
