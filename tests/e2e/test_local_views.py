"""What the person sees is read from three places on the tablet: the records a pull brought,
the changes the server answered that no pull has brought back yet, and the outbox. A sync moves
each change from the outbox to the answered ones, then into a pulled record. A screen drawn
while it does so must never find the change in none of them (it would show the entry as never
written, and a Save then would write over it)."""
import pytest

from .steps import learner_at_a_tablet, record_session, wait_all_sent, wait_for_worker

pytestmark = pytest.mark.e2e

# Read the person's sessions again and again while a sync runs, counting the readings that
# lacked the one written offline; stops when window.stopReading is set.
READ_WHILE_SYNCING = """async (activity) => {
  const { session } = await import('/store/people.js');
  const { list } = await import('/store/records.js');
  window.readings = 0;
  window.missing = 0;
  window.stopReading = false;
  window.reading = (async () => {
    while (!window.stopReading) {
      const sessions = await list(session(), 'sessions');
      window.readings += 1;
      if (!sessions.some((r) => r.fields.activity === activity)) window.missing += 1;
    }
  })();
}"""


def test_an_entry_is_never_missing_from_a_reading_made_while_it_syncs(live_server, new_context,
                                                                      make):
    _, page = learner_at_a_tablet(live_server, new_context, make)
    wait_all_sent(page)
    wait_for_worker(page)
    for round_ in range(3):
        page.context.set_offline(True)
        activity = f"Sorted the button tin, round {round_}"
        record_session(page, activity)
        page.evaluate(READ_WHILE_SYNCING, activity)
        page.context.set_offline(False)
        wait_all_sent(page)
        page.evaluate("async () => { window.stopReading = true; await window.reading; }")
        readings, missing = page.evaluate("[window.readings, window.missing]")
        assert readings > 5
        assert missing == 0, f"{missing} of {readings} readings lacked the entry"
