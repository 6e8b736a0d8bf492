"""The workers' console at the hub (/work): offender managers, employment advisers, health care staff
and team managers, each seeing only the people in their caseload (a team manager: their team's).

- models:   caseload (worker x person), person_read (every read of a person's data by a worker)
- caseload: adding and removing people from a worker's caseload, who may see whom, the read records
- cli:      `throughgate hub workers caseload add|remove|list`
- access:   the worker logged in, `require(action)` with the workers' own role table
- views/:   people (My people, a person's page, release and codes, the letter, phones), messages
"""
