"""Pure Block Kit builders for manual ports (numbers the Porting API cannot file), each named for
what it draws: ``form_modals`` (the form, the documents modal), ``manual_board``,
``manual_replies`` and ``manual_reminders`` (its thread), ``manual_status`` (/port-status),
``manual_rows`` (listing rows), ``step_modals`` (the steps' modals), ``start_offer`` (the Start
buttons, the Console path); ``words`` they share. ``manual_`` marks those with a request's
counterpart in ``bot.slack.ui`` (``board``, ``thread_replies``, ``reminders``, ``status``,
``rows``)."""
