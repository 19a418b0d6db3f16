"""The shapes of the demo's stories, and words any learner might write.

Days count through the demo's six weeks: day 0 is 41 days ago, day 41 is today. Everyone in
the demo is made up.
"""
from dataclasses import dataclass, field

PASSWORD = "whatmatters-demo"  # demo data only: printed by ``flask demo sign-ins``


@dataclass(frozen=True)
class Goal:
    title: str
    why: str
    whose_idea: str  # the co-production ladder: suggested, agreed, own
    benefits: tuple
    doing: tuple  # what a session towards it says was done
    status: str = "active"
    start: int = 0  # the day it was set
    end: int | None = None  # the day it was achieved, paused or let go
    gas: tuple | None = None  # Goal Attainment Scaling: what -2, -1, 0, +1, +2 would look like
    level: int | None = None  # where the person has got to on that scale


@dataclass(frozen=True)
class Learner:
    name: str
    pin: str | None
    mentor: str | None  # the mentor's name
    per_week: float  # how many sessions a week they usually note
    sharing: str  # the visibility they usually choose
    profile: tuple  # needs, preferences, resources, networks
    goals: tuple
    notes: tuple  # things they write after a session
    contributions: tuple = ()  # (day, kind, what, with whom); kind "offer" is "learn from me"
    reflections: tuple = ()  # (day, text, quote consent)
    opted_out: bool = False
    quiet_after: int | None = None  # writes nothing after this day


@dataclass(frozen=True)
class Group:
    """Something run for everyone on set weekdays (0 is Monday)."""

    name: str
    benefits: tuple
    weekdays: tuple
    minutes: int


@dataclass(frozen=True)
class Org:
    name: str
    kind: str
    staff: tuple  # (name, email, is administrator)
    mentors: tuple  # (name, email)
    tablet: str
    tablet_silent_days: int  # days since the tablet last synced
    learners: tuple
    groups: tuple = field(default=())


# What anyone might jot after a session, by how it went.
NOTES_BETTER = (
    "Better than I expected.",
    "I enjoyed that more than I thought I would.",
    "Tired now, but pleased with myself.",
    "Took me a while to get going, then it came back to me.",
    "Good to have something to show for the afternoon.",
)
NOTES_SAME = (
    "A quiet one today.",
    "Not much to say, but I did it.",
    "Kept at it.",
)
NOTES_WORSE = (
    "Not my best day. My hands were bad.",
    "Found it hard to concentrate today.",
)
# What a mentor writes when they log a visit; ``{first}`` is the learner's first name.
MENTOR_NOTES = (
    "{first} did most of it without help today.",
    "A slow start, but {first} was smiling by the end.",
    "{first} wants to carry on with this next week.",
    "We chatted over a cup of tea first, then got stuck in.",
    "{first} showed me how it is done, for a change.",
)
