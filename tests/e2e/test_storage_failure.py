"""When the device cannot keep what a person wrote (its storage is full, or the browser's
database fails, as Safari's sometimes does), Save says so in plain words and leaves every word
on the screen; once there is room again, the same Save keeps it, once. A draft that cannot be
kept as the person types leaves no uncaught error behind (every end-to-end test fails on one)."""
import pytest

from .conftest import PHONE
from .steps import (MENTOR_PASSWORD, api_get, enrol, learner_at_a_tablet, open_journal,
                    sign_in_mentor, wait_all_sent)

pytestmark = pytest.mark.e2e

# Every write to the browser's database fails as it does on a full or broken device: its
# transaction is aborted once the task that wrote ends, its error naming why; the writes refused
# are counted by store in `window.refusedWrites`. Undone by `window.storageBack()`.
STORAGE_FAILS = """(name) => {
  const put = IDBObjectStore.prototype.put, add = IDBObjectStore.prototype.add;
  window.refusedWrites = {};
  const failing = (write) => function (...args) {
    const tx = this.transaction;
    window.refusedWrites[this.name] = (window.refusedWrites[this.name] || 0) + 1;
    if (!tx.failing) {
      tx.failing = true;
      Object.defineProperty(tx, 'error', { value: new DOMException('The storage failed.', name) });
      queueMicrotask(() => tx.abort());
    }
    return write.apply(this, args);
  };
  IDBObjectStore.prototype.put = failing(put);
  IDBObjectStore.prototype.add = failing(add);
  window.storageBack = () => {
    IDBObjectStore.prototype.put = put;
    IDBObjectStore.prototype.add = add;
  };
}"""


def _outbox_size(page):
    return page.evaluate("""() => new Promise((ok, no) => {
      const r = indexedDB.open('what-matters');
      r.onsuccess = () => { const c = r.result.transaction('outbox').objectStore('outbox').count();
                            c.onsuccess = () => ok(c.result); c.onerror = () => no(c.error); };
      r.onerror = () => no(r.error);
    })""")


def save_while_storage_fails(page, why, form_link, activity, minutes, save):
    """With the database failing for ``why``, open a form, write, and once the draft kept as
    the person types has been refused too, press ``save``: the words stay on the screen;
    returns the problem the form shows."""
    page.evaluate(STORAGE_FAILS, why)
    page.click(form_link)
    page.fill("input[name=activity]", activity)
    page.click(f"label.choice:has-text('{minutes}')")
    page.wait_for_function("() => window.refusedWrites.drafts > 0")
    page.click(f"button:has-text('{save}')")
    problem = page.locator("form > .problem")
    problem.wait_for()
    assert page.input_value("input[name=activity]") == activity
    return problem.inner_text()


def save_with_room_again(page, save, saved):
    page.evaluate("window.storageBack()")
    page.click(f"button:has-text('{save}')")
    page.wait_for_selector(f"text={saved}")
    wait_all_sent(page)


def sessions_of(client, auth, learner):
    items = api_get(client, f"/api/learners/{learner.id}/sessions", auth.headers(learner))["items"]
    return [(s["activity"], s["minutes"]) for s in items]


def test_a_full_tablet_says_so_keeps_the_words_and_saves_them_once_there_is_room(
        live_server, new_context, make, auth, client):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page)

    problem = save_while_storage_fails(page, "QuotaExceededError", "text=Record what I did",
                                       "Planted sweet peas by the greenhouse", "30 minutes",
                                       "Save")
    assert problem == ("This could not be saved: this tablet is full. What you wrote is still "
                       "here. Please ask a member of staff to help.")
    assert page.evaluate("document.activeElement.classList.contains('problem')")
    assert page.is_checked("label.choice:has-text('30 minutes') input")
    assert page.url.endswith("#/session/new")
    assert _outbox_size(page) == 0

    save_with_room_again(page, "Save", "Saved on this tablet.")
    assert sessions_of(client, auth, edna) == [("Planted sweet peas by the greenhouse", 30)]


def test_a_phone_whose_storage_fails_says_so_and_the_visit_is_saved_when_tried_again(
        live_server, new_context, make, auth, client):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    mentor = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    make.pairing(mentor, edna)
    phone = new_context(viewport=PHONE).new_page()
    phone.goto(live_server.url + "/#/sign-in")
    sign_in_mentor(phone, mentor)
    wait_all_sent(phone)

    problem = save_while_storage_fails(phone, "UnknownError",
                                       "[aria-label='Log a visit with Edna Whitworth']",
                                       "Read the paper together", "45 minutes", "Save the visit")
    assert problem == ("This could not be saved on this phone just now. What you wrote is still "
                       "here. Please try again.")

    save_with_room_again(phone, "Save the visit", "Saved on this phone.")
    assert sessions_of(client, auth, edna) == [("Read the paper together", 45)]


def test_a_full_tablet_that_cannot_keep_what_a_sync_brings_says_so_not_that_the_server_is_away(
        live_server, new_context, make, auth, client):
    """Everything Edna wrote is sent, but her mentor's visit cannot be kept on the full
    tablet: the trust line says the tablet is full and who can help (before, a storage failure
    in a sync was reported as "The server could not be reached"); once there is room, "Try
    again now" brings the visit."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    mentor = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    make.pairing(mentor, edna)
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page)

    visit = client.post(f"/api/learners/{edna.id}/sessions", headers=auth.headers(mentor),
                        json={"activity": "Looked at old photographs", "minutes": 40})
    assert visit.status_code == 201
    page.evaluate(STORAGE_FAILS, "QuotaExceededError")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # sync now, not in a minute
    line = page.locator(".status-line:has-text('is full')")
    line.wait_for()
    assert line.locator("p").inner_text() == (
        "All sent. This tablet is full, so new entries from elsewhere cannot be shown. "
        "Please ask a member of staff to help.")
    assert page.locator("text=The server could not be reached").count() == 0

    page.evaluate("window.storageBack()")
    line.locator("button:has-text('Try again now')").click()
    wait_all_sent(page)
    page.click("text=What I have done")
    page.wait_for_selector("text=Looked at old photographs")


# The browser drops the app's connection to its database, as Safari does after a while in the
# background ("Connection to Indexed Database server lost"): with the `close` event the
# specification gives such a close, or without a word.
CONNECTION_LOST = """async (saying) => {
  const { database } = await import('/store/db.js');
  const db = await database();
  db.close();
  if (saying) db.dispatchEvent(new Event('close'));
}"""


@pytest.mark.parametrize("said", [True, False], ids=["with-close-event", "without"])
def test_a_database_connection_the_browser_dropped_is_opened_again_and_nothing_is_refused(
        live_server, new_context, make, auth, client, said):
    """Before, the journal stopped until the page was reloaded: no screen that reads it could
    open, and nothing could be saved."""
    edna, page = learner_at_a_tablet(live_server, new_context, make)
    wait_all_sent(page)

    page.evaluate(CONNECTION_LOST, said)
    page.click("text=Record what I did")
    page.fill("input[name=activity]", "Watered the geraniums")
    page.click("label.choice:has-text('30 minutes')")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")
    wait_all_sent(page)
    assert sessions_of(client, auth, edna) == [("Watered the geraniums", 30)]
