/* Search suggestions as a person types, for every search box of the hub.
 *
 * Follows the ARIA 1.2 combobox pattern: the input keeps focus, Up and Down
 * move through the suggestions (announced through aria-activedescendant),
 * Enter opens the highlighted one, Escape closes the list. Without this
 * script the search form works exactly the same, just without suggestions.
 */
(function () {
    "use strict";

    var MIN_CHARS = 2;
    var DELAY = 150;
    var counter = 0;

    function enhance(form) {
        var input = form.querySelector("input[name='q']");
        if (!input || input.dataset.autocompleteReady) {
            return;
        }
        input.dataset.autocompleteReady = "1";
        counter += 1;
        var listId = "search-suggestions-" + counter;
        var statusId = listId + "-status";

        var wrapper = document.createElement("div");
        wrapper.className = "autocomplete";
        input.parentNode.insertBefore(wrapper, input);
        wrapper.appendChild(input);

        var list = document.createElement("ul");
        list.id = listId;
        list.className = "autocomplete__list";
        list.setAttribute("role", "listbox");
        list.setAttribute("aria-label", "Search suggestions");
        list.hidden = true;
        wrapper.appendChild(list);

        var status = document.createElement("div");
        status.id = statusId;
        status.className = "visually-hidden";
        status.setAttribute("role", "status");
        status.setAttribute("aria-live", "polite");
        wrapper.appendChild(status);

        input.setAttribute("role", "combobox");
        input.setAttribute("aria-autocomplete", "list");
        input.setAttribute("aria-expanded", "false");
        input.setAttribute("aria-controls", listId);

        var items = [];
        var active = -1;
        var timer = null;
        var lastQuery = "";
        var controller = null;

        function close() {
            list.hidden = true;
            list.innerHTML = "";
            items = [];
            active = -1;
            input.setAttribute("aria-expanded", "false");
            input.removeAttribute("aria-activedescendant");
        }

        function highlight(index) {
            var options = list.querySelectorAll("[role='option']");
            options.forEach(function (option, i) {
                option.setAttribute("aria-selected", i === index ? "true" : "false");
                option.classList.toggle("is-active", i === index);
            });
            active = index;
            if (index >= 0 && options[index]) {
                input.setAttribute("aria-activedescendant", options[index].id);
                options[index].scrollIntoView({ block: "nearest" });
            } else {
                input.removeAttribute("aria-activedescendant");
            }
        }

        function choose(index) {
            var item = items[index];
            if (item && item.url) {
                window.location.assign(item.url);
            }
        }

        function render(suggestions) {
            items = suggestions;
            list.innerHTML = "";
            active = -1;
            if (!suggestions.length) {
                close();
                status.textContent = "No suggestions.";
                return;
            }
            suggestions.forEach(function (item, i) {
                var option = document.createElement("li");
                option.id = listId + "-" + i;
                option.className = "autocomplete__option";
                option.setAttribute("role", "option");
                option.setAttribute("aria-selected", "false");
                var label = document.createElement("span");
                label.className = "autocomplete__label";
                label.textContent = item.label;
                var kind = document.createElement("span");
                kind.className = "autocomplete__kind";
                kind.textContent = item.kind;
                option.appendChild(label);
                option.appendChild(document.createTextNode(" "));
                option.appendChild(kind);
                option.addEventListener("mousedown", function (event) {
                    event.preventDefault(); // keep focus in the input
                });
                option.addEventListener("click", function () {
                    choose(i);
                });
                list.appendChild(option);
            });
            list.hidden = false;
            input.setAttribute("aria-expanded", "true");
            status.textContent =
                suggestions.length +
                (suggestions.length === 1 ? " suggestion" : " suggestions") +
                " available. Use the up and down arrow keys to choose, Enter to open.";
        }

        function fetchSuggestions() {
            var query = input.value.trim();
            if (query.length < MIN_CHARS) {
                close();
                return;
            }
            if (query === lastQuery && items.length) {
                return;
            }
            lastQuery = query;
            if (controller) {
                controller.abort();
            }
            controller = window.AbortController ? new AbortController() : null;
            fetch("/search/autocomplete/?q=" + encodeURIComponent(query), {
                headers: { Accept: "application/json" },
                credentials: "same-origin",
                signal: controller ? controller.signal : undefined,
            })
                .then(function (response) {
                    return response.ok ? response.json() : { suggestions: [] };
                })
                .then(function (data) {
                    if (input.value.trim() === query) {
                        render(data.suggestions || []);
                    }
                })
                .catch(function () {
                    /* Suggestions are a convenience: the form still submits. */
                });
        }

        input.addEventListener("input", function () {
            window.clearTimeout(timer);
            timer = window.setTimeout(fetchSuggestions, DELAY);
        });

        input.addEventListener("keydown", function (event) {
            if (event.key === "ArrowDown") {
                if (list.hidden) {
                    fetchSuggestions();
                    return;
                }
                event.preventDefault();
                highlight(Math.min(active + 1, items.length - 1));
            } else if (event.key === "ArrowUp") {
                if (!list.hidden) {
                    event.preventDefault();
                    highlight(Math.max(active - 1, -1));
                }
            } else if (event.key === "Enter") {
                if (!list.hidden && active >= 0) {
                    event.preventDefault();
                    choose(active);
                }
            } else if (event.key === "Escape") {
                if (!list.hidden) {
                    event.preventDefault();
                    close();
                }
            }
        });

        input.addEventListener("blur", function () {
            window.setTimeout(close, 100);
        });
    }

    function init() {
        document.querySelectorAll("form.search-form, form.site-search").forEach(enhance);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
