"""A session says which of her goals it helped with: ticked boxes reach the server as a list of
goal ids, also when she has one goal, whose single box was once read as true or false and
refused by the server ("Not a valid list"), leaving the session waiting for her."""
import pytest

from .steps import api_get, enrol, open_journal, wait_all_sent

pytestmark = pytest.mark.e2e

HELD = """async () => {
  const outbox = await import('/store/outbox.js');
  const { session } = await import('/store/people.js');
  return (await outbox.held(session())).map(({ error }) => error && error.error);
}"""


def _record(page, activity, goals=()):
    page.click("text=Record what I did")
    page.fill("input[name=activity]", activity)
    page.click("label.choice:has-text('30 minutes')")
    for title in goals:
        page.click(f"label.choice:has-text('{title}')")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")


def _goal_ids(client, auth, learner):
    items = api_get(client, f"/api/learners/{learner.id}/sessions", auth.headers(learner))["items"]
    return {item["activity"]: item.get("goal_ids") for item in items}


@pytest.mark.parametrize("titles", [["Learn the names of the birds"],
                                    ["Learn the names of the birds", "Walk to the park"]],
                         ids=["one goal", "two goals"])
def test_the_goals_she_ticks_reach_the_server_as_a_list(
        live_server, new_context, make, auth, client, titles):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    goals = [make.goal(edna, title=title) for title in titles]
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page)

    _record(page, "Listened for the blackbird", goals=[titles[0]])
    _record(page, "Watched the news")
    wait_all_sent(page)

    assert page.evaluate(HELD) == []
    assert _goal_ids(client, auth, edna) == {"Listened for the blackbird": [goals[0].id],
                                             "Watched the news": []}
