"""Affiliate programs (issue 15): every rule of the affiliate manager's side, once.

- `programs`: programs of an advertiser (a brand), their base rate, windows and checklist.
- `members`: affiliates in a program, their pipeline stage (with dated history) and ticks.
- `resources`: tracking links (the UTM rule), promo codes, creatives, and who was given what.
- `conversions`: the customer e-mail hash and the platform commission check (mismatches).
- `kpis`: clicks, conversions, revenue, AOV, commission at the base rate, EPC per affiliate,
  program and period, aggregated in SQL.
- `suggest`: roster creators not yet in a program, ranked by audience fit.

Money (issue 16):
- `commissions`: the engine (its docstring is the rules), versioned tiers, promotions and
  bonuses, locking.
- `payouts`: statements (build, list, show, pay, overdue), adjustments (late changes,
  approvals after a build, carried totals), an affiliate's conversions with their rates.
- `review`: the six fraud rules with program thresholds, holds, the queue and decisions.
- `guard`: the three calls the importers make into the money rules.
- `money_terms`: a program's money rules in force in one view (the rules editor).
- `program_report`: the program and management reports' figures.

Modules import `errors` (refusals) and `lookup` (finding a program or an affiliate).
"""
