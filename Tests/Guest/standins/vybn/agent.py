"""Stand-in for Vybn's spark/agent.py: no model, a canned reply."""
VERSION = "stand-in-1"


def reply(text):
    return "(stand-in) heard %d characters" % len(text)
