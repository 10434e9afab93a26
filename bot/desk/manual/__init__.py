"""Manual ports, for numbers Twilio's Porting API cannot file (22133): they port through a
request to Twilio support. ``ports`` (the service: start, move, remind), ``types`` (what a
manual port is), ``steps`` (how people move one), ``schedule`` (its deadlines and reminders,
pure), ``agenda`` (what needs a person) and ``manual_listing`` (open ones, most urgent
first)."""
