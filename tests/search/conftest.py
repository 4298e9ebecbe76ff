from tests.knowledge.conftest import library, make_resource, members_only  # noqa: F401
