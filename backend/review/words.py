"""The review's words for staff: figure names, table titles and coded values, used alike by
the API (so the page shows them), the CSV exports and the printed report."""
from ..journal.schemas import CARE_HOME_BENEFITS, HOME_BENEFITS

FIGURES = {
    "learners_counted": "Learners taking part (not opted out)",
    "active_learners": "Learners who recorded something",
    "sessions": "Sessions",
    "minutes_per_learner_per_week": "Minutes of learning per learner per week",
    "goals_set": "Goals set",
    "goals_achieved": "Goals achieved",
    "gas_mean_t": "Goal Attainment Scaling: mean T-score",
    "contributions": "Contributions to others",
    "contributors": "Learners who contributed to others",
    "offers": "\u201cLearn from me\u201d offers",
    "faces_mean_change": "Change in how people felt during a session (faces, -4 to +4)",
    "quiet_learners": "Learners with nothing recorded for 14 days",
    "silent_devices": "Tablets silent for 5 days or more",
}

BENEFIT_WORDS = {
    "new_things": "Learning new things", "body_active": "Keeping the body active",
    "world": "Learning about the world", "mind_active": "Keeping the mind active",
    "creative": "Creative and arts-based", "life_story": "Reflecting on their life",
    "independence": "Keeping their independence",
    "everyday_skills": "Skills for everyday life",
    "understanding_others": "Understanding other people",
    "contributing": "Contributing and feeling useful",
}
BENEFITS_BY_KIND = {"care_home": CARE_HOME_BENEFITS, "home_care": HOME_BENEFITS}

ONS_WORDS = {
    "life_satisfaction": "Satisfied with life (0 to 10)",
    "worthwhile": "Things they do are worthwhile (0 to 10)",
    "happy": "Happy yesterday (0 to 10)",
    "anxious": "Anxious yesterday (0 to 10, lower is better)",
}
LADDER_WORDS = {"suggested": "Suggested to them", "agreed": "Agreed together",
                "own": "Their own idea"}
OUTCOME_WORDS = {"improved": "Felt better after", "same": "Felt the same",
                 "worse": "Felt worse after"}
# Minutes of learning a week: (upper bound, words); the last band has no upper bound.
DOSE_BANDS = ((30, "Under 30 minutes a week"), (60, "30 to 59 minutes a week"),
              (120, "1 to 2 hours a week"), (None, "2 hours a week or more"))

TABLES = {
    "figures": "The review in figures",
    "benefits": "What the sessions were good for (benefit tags)",
    "faces": "How people felt after their sessions, compared with before",
    "ons4": "Personal wellbeing (ONS4), each question on its own, month by month",
    "coproduction": "Whose idea the goals set each month were (the co-production ladder)",
    "dose_bands": "More learning, better feeling? Change in feeling by minutes a week",
    "dose_points": "Minutes a week and change in feeling, one point per learner (unlabelled)",
    "mentor_load": "Mentor load",
    "silent_devices": "Tablets silent for 5 days or more",
    "quotes": "In their own words (consented quotes, without names)",
}
