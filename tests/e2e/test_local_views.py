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


# Lay one mutation over a record as the tablet shows it: the revs of the versions kept aside.
OVERLAY = """async ([held, choice, conflicts]) => {
  const { overlay } = await import('/store/records.js');
  const shown = overlay(held, choice, { conflicts });
  return Object.fromEntries(Object.entries(shown.conflicts).map(([n, vs]) => [n, vs.map((v) => v.rev)]));
}"""


def test_a_choice_to_delete_kept_aside_is_shown_as_the_server_keeps_it(live_server,
                                                                      new_context):
    """Her choice to delete, answered but not pulled back, kept aside because the goal's
    reason changed after she looked: the tablet shows it as the server stored it, in the place
    of the delete wish she saw, with the title she saw still there."""
    import copy
    import dataclasses
    import uuid

    from sync import DELETED, time_uuid
    from sync.merge import apply
    from sync.mutation import Mutation
    from sync.records import Record, conflict_entry

    wish, title, why = (str(uuid.uuid4()) for _ in range(3))
    held = Record(str(uuid.uuid4()), "goals", 1, 1, {"title": "Paint", "why": "joy"},
                  {"title": "t0", "why": "w0"},
                  {DELETED: [conflict_entry(True, wish, 9, "2026-11-29T10:00:00Z")],
                   "title": [conflict_entry("Draw", title, 9, "2026-11-29T10:01:00Z")]},
                  updated_at="2026-11-29T10:01:00Z")
    server = copy.deepcopy(held)
    server.fields["why"], server.revs["why"] = "calm", why  # after she looked
    choice = Mutation(time_uuid(), "tablet", 1, "resolve", "goals", held.id, 1,
                      {DELETED: True}, {"title": "t0", "why": "w0"}, "2026-11-29T10:02:00Z",
                      {DELETED: [wish], "title": [title]})
    _, outcome = apply(server, choice, 1, "2026-11-29T10:03:00Z")
    page = new_context().new_page()
    page.goto(live_server.url)

    shown = page.evaluate(OVERLAY, [dataclasses.asdict(held), choice.to_wire(),
                                    outcome.conflicts])

    assert outcome.status == "conflict"
    assert shown == {name: [v["rev"] for v in vs] for name, vs in server.conflicts.items()} \
        == {DELETED: [choice.id], "title": [title]}
