"""The hub's events app (webinars, trainings, closed meetings, calendar and iCal).

It also re-exports ``Events`` from the PyPI package of that name, because the
two share the import name ``events``: opensearch-py (2.6 and later, used by the
hub's OpenSearch backend, search/opensearch.py) does ``from events import
Events``, and with this app on the path that import finds the app, not the
package. The package's class is loaded from its own file, found through its
installed metadata, so ``import opensearchpy`` works inside the hub. Nothing
else of the package is used or shadowed.
"""

import importlib.metadata
import importlib.util


def _load_events_package_class():
    try:
        files = importlib.metadata.files("Events") or []
    except importlib.metadata.PackageNotFoundError:
        return None  # not installed: opensearch-py (which needs it) is not either
    source = next((f for f in files if str(f).replace("\\", "/") == "events/events.py"), None)
    if source is None:
        return None
    spec = importlib.util.spec_from_file_location("_events_package.events", source.locate())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Events


Events = _load_events_package_class()
