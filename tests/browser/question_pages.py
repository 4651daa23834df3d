"""An application's question pages in a browser test: one question per page (the city's record on the first),
then each file on its own page, then the last page's button that leads to "check your answers"."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

MAX_PAGES = 40


def answer_question_pages(
    page: Page, answers: dict[str, str], files: dict[str, Path], *, valid: str, last: str, until: str | None = None
) -> None:
    """Answers each question on the page that asks it and attaches each file on its page (waiting until the page
    shows it as `valid`), pressing "continue" page after page; stops without pressing it on the last page (whose
    button reads `last`) or on the page that shows the element `until`."""
    form = page.locator("form:has(#question-progress)")
    progress = page.locator("#question-progress")
    for _ in range(MAX_PAGES):
        expect(progress).to_be_visible()
        if until is not None and page.locator(until).count():
            return
        for field, value in answers.items():
            control = form.locator(f"#answer-{field}")
            if control.count() == 0 or not control.is_editable():
                continue  # asked on another page, or filled in from the city's records
            if control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(value)
            elif control.get_attribute("type") == "checkbox":
                control.set_checked(value == "yes")
            else:
                control.fill(value)
        for kind, path in files.items():
            if form.locator(f"#file-{kind}").count():
                form.locator(f"#file-{kind}").set_input_files(str(path))
                expect(form.locator(f"#attachment-{kind}")).to_contain_text(valid, timeout=15_000)
        button = form.locator("button[type=submit]")
        if button.inner_text().strip() == last:
            return
        before = progress.inner_text()
        button.click()
        expect(progress).not_to_have_text(before)  # on to the next page: this one's answers were accepted
    raise AssertionError(f"more than {MAX_PAGES} question pages")
