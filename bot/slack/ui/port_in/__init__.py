"""The /port-in form (pure builders): ``details`` (step 1), ``account`` (step 2: account
number and PINs), ``filing`` (progress and outcomes), ``refile_form`` (both steps re-filing
rejected numbers), ``parts`` (what they share)."""
