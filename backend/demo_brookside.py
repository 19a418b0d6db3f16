"""The demo's home-care service: Brookside Home Support, five people visited at home."""
from .demo_stories import Goal, Group, Learner, Org

COFFEE = "Coffee morning at the library"

LEARNERS = (
    Learner(
        "Peggy Lomax", "1470", "Sam Whitfield", 3.0, "mentor",
        ("I had a fall last winter and cannot carry heavy shopping. Carers come morning and "
         "evening.",
         "I like to do things for myself. Mornings, after my carer has been.",
         "I did the books for my husband's garage. I am good with money, not with computers.",
         "My neighbour June pops in. My son is in Manchester. The library coffee morning, when "
         "I can get there."),
        (Goal("Do my food shop online", "So I am not waiting for my son to bring it.",
              "agreed", ("everyday_skills", "independence"),
              ("Practised the supermarket website", "Did my food shop online"), "achieved",
              0, 24, ("Cannot use the website", "Can find things with help",
                      "Can fill the basket with help", "Can order on my own",
                      "Do my weekly shop online on my own"), 2),
         Goal("Video-call my son on Sundays", "He is busy, but a call is quick.", "own",
              ("everyday_skills", "understanding_others"), ("Video-called my son",), start=20),
         Goal("Order my prescription online", "Aisha says it saves the trip to the chemist.",
              "suggested", ("independence", "everyday_skills"),
              ("Set up the prescription app",), start=27)),
        ("I am getting the hang of it.", "The password business is a nuisance."),
        ((33, "helped", "Showed June how I order my shopping online", "my neighbour June"),
         (35, "offer", "Help with online shopping, once your tablet is set up", None)),
        ((25, "The shopping came to the door and I had chosen every bit of it myself.", True),),
    ),
    Learner(
        "Walter Briggs", None, "Sam Whitfield", 1.5, "private",
        ("I am partially sighted. I need things read out to me.",
         "I keep myself to myself, but I like Sam's visits. Radio 4 in the afternoons.",
         "I was in the merchant navy. I can cook a bit, and I can tie any knot you like.",
         "My late wife did the cooking and the phoning. My brother is in Hull. I do not know "
         "my neighbours well."),
        (Goal("Use the talking features on the tablet", "Sam says it can read things out "
              "to me.", "suggested", ("everyday_skills",), ("Practised read-aloud on the tablet",),
              "achieved", 0, 18),
         Goal("Cook a proper meal for myself once a week", "I am sick of ready meals.", "own",
              ("independence", "everyday_skills"), ("Cooked a meal from scratch",), start=4,
              gas=("Ready meals only", "Heated something up", "Cooked one meal a fortnight",
                   "Cooked one meal a week", "Two proper meals a week"), level=0),
         Goal("Ring my brother more often", "We only speak at Christmas.", "agreed",
              ("understanding_others",), ("Rang my brother in Hull",), "paused", 10, 31)),
        ("Slow, but I got there.", "Glad of the company."),
        ((28, "offer", "Knots and splices, and stories from the merchant navy", None),),
        ((21, "Made a stew on Tuesday. It was not as good as hers, but it was mine.", False),),
        opted_out=True,
    ),
    Learner(
        "Nasreen Akhtar", "2580", "Sam Whitfield", 2.5, "care_team",
        ("My knees are bad, so I stay downstairs. I read Urdu better than English.",
         "I like to be useful. Afternoons, when the house is quiet.",
         "I have sewn all my life. I made all my children's clothes.",
         "I live with my daughter and her family. My friends at the women's group at the "
         "community centre."),
        (Goal("Use my bus pass to get to the women's group", "Sam thought it would give me "
              "more freedom.", "suggested", ("independence",), ("Took the bus into town",),
              "let_go", 1, 14),
         Goal("Read a story in English to my granddaughter",
              "She reads to me in English. I want to read to her.", "own",
              ("understanding_others", "everyday_skills"),
              ("Practised reading a story aloud", "Read to Amna at bedtime"), start=3,
              gas=("Cannot read it", "A page with help", "A short book with help",
                   "A short book on my own", "A chapter book on my own"), level=0),
         Goal("Sew school bags for the book drive", "The children need them, and I can do it "
              "sitting down.", "own", ("contributing",), ("Sewed school bags",), "achieved",
              6, 33)),
        ("Done while the house was quiet.", "I will show my daughter later."),
        ((15, "offer", "Sewing, and simple Urdu", None),
         (22, "taught", "Showed my granddaughter how to sew on a button", "my granddaughter"),
         (33, "helped", "Sewed twelve school bags for the book drive", "the community centre")),
        ((29, "I read the whole book to Amna. She helped me with two words only.", True),),
    ),
    Learner(
        "Ron Tilley", None, None, 2.5, "mentor",
        ("Heart failure, so I get breathless. I need a rest between things.",
         "Crosswords and the racing. I like a laugh.",
         "I was a bus driver in Bolton. I know every road in the North West.",
         "My wife Sheila, who looks after me. My old mates from the depot, but most have gone "
         "now."),
        (Goal("Do the crossword on the tablet", "Sheila is tired of reading me the clues.",
              "agreed", ("independence", "everyday_skills"), ("Did the crossword on the tablet",),
              start=2),
         Goal("Write for the depot's old boys' newsletter",
              "Someone should write down what it was like.", "own",
              ("contributing", "understanding_others"), ("Wrote a piece about the depot",),
              start=9)),
        ("Had to stop for a rest halfway.", "Not bad for an old driver."),
        ((13, "shared", "Wrote a piece about the depot in the 1970s", "the old boys' newsletter"),),
        ((16, "Sheila laughed at my piece. That is worth more than the paper.", False),),
        quiet_after=24,
    ),
    Learner(
        "Eileen Doherty", "3690", "Sam Whitfield", 2.0, "mentor",
        ("I live alone and can go days without speaking to anyone. I use a stick.",
         "A chat with my tea. History programmes. I do not like being fussed over.",
         "I was a nurse for forty years. I know how to listen.",
         "My nephew in Derry emails now and then. Church used to be my life, but I cannot get "
         "there now."),
        (Goal("Email my nephew once a week", "He is the only family I have left.", "agreed",
              ("everyday_skills", "independence"), ("Emailed my nephew",), "achieved", 0, 20),
         Goal("Trace my family back to Donegal", "My mother never talked about it, and now I "
              "want to know.", "own", ("understanding_others", "everyday_skills"),
              ("Searched the old census", "Looked up parish records"), start=5),
         Goal("Join an online group for retired nurses", "Sam found it and thought I might "
              "like it.", "suggested", ("understanding_others", "contributing"),
              ("Joined the retired nurses' video chat",), start=12,
              gas=("Not joined", "Joined, not spoken", "Spoke once", "Speak most weeks",
                   "Help run a session"), level=-1)),
        ("Nice to have something to get on with.", "Time flew."),
        ((30, "shared", "Told the online group about nursing in the 1960s",
          "the retired nurses' group"),
         (37, "offer", "Listening, and how to look things up in the old census", None)),
        ((19, "Found my grandmother in the 1911 census. Sat and cried over a list of names.",
          True),
         (38, "I spoke to four people this week. That is three more than usual.", True)),
    ),
)

BROOKSIDE = Org(
    name="Brookside Home Support", kind="home_care",
    staff=(("Aisha Rahman", "aisha.rahman@brookside.example", True),),
    mentors=(("Sam Whitfield", "sam.whitfield@volunteers.example"),),
    tablet="Brookside loan tablet", tablet_silent_days=6,
    learners=LEARNERS,
    groups=(Group(COFFEE, ("understanding_others",), (2,), 90),),
)
