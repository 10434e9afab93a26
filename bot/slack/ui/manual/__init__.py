"""Pure Block Kit builders for manual ports (numbers the Porting API cannot file): the form,
the board, its replies and reminders, the step modals, the Console path."""
