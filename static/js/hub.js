/* CoP Knowledge Hub — small progressive enhancements.
 * Everything works without this file: on narrow screens the navigation is
 * collapsed behind the "Menu" button by CSS from the first paint, this script
 * opens and closes it, and without JavaScript no-js.css shows it in full.
 */
(function () {
    "use strict";

    function initMobileNav() {
        var button = document.querySelector(".nav-toggle");
        if (!button) {
            return;
        }
        var nav = document.getElementById(button.getAttribute("aria-controls"));
        if (!nav) {
            button.hidden = true; // Nothing to show or hide.
            return;
        }
        var region = nav.closest(".site-nav-band") || nav;

        function setOpen(open) {
            button.setAttribute("aria-expanded", open ? "true" : "false");
            region.classList.toggle("is-open", open);
        }

        setOpen(false);

        button.addEventListener("click", function () {
            setOpen(button.getAttribute("aria-expanded") !== "true");
        });

        // Escape closes the menu and returns focus to the button.
        document.addEventListener("keydown", function (event) {
            if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
                setOpen(false);
                button.focus();
            }
        });
    }

    // Embedded players (YouTube, Vimeo...) often come without a title: give
    // each iframe the title the editor wrote, so screen readers can name it.
    function titleVideoFrames() {
        var wrappers = document.querySelectorAll("[data-video-title]");
        Array.prototype.forEach.call(wrappers, function (wrapper) {
            var frames = wrapper.querySelectorAll("iframe");
            Array.prototype.forEach.call(frames, function (frame) {
                if (!frame.getAttribute("title")) {
                    frame.setAttribute("title", "Video: " + wrapper.getAttribute("data-video-title"));
                }
            });
        });
    }

    function init() {
        initMobileNav();
        titleVideoFrames();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
