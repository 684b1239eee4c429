"""Expected statuses of the URL × role walk, one token per role in the order of
tests/crm/test_url_walk.ROLES: anonymous, sales_a, sales_b, manager_a, manager_b,
accountant_a, accountant_b, gm. Objects are of department A, held by sales_a."""

EVERYONE = "302 200 200 200 200 200 200 200"
POST_ONLY = "302 405 405 405 405 405 405 405"
SALESPEOPLE = "302 200 200 404 404 404 404 404"
MANAGERS = "302 404 404 200 200 404 404 200"  # department managers and the GM
READERS = "302 404 404 200 200 200 200 200"  # who reads whole departments
HOLDERS = "302 200 200 200 200 404 404 200"  # who holds and registers customers
ACCOUNTANTS = "302 404 404 404 404 200 200 404"
GM_ONLY = "302 404 404 404 404 404 404 200"
A_SEEN = "302 200 404 200 404 200 404 200"  # its holder, A's manager and accountant, the GM
A_READERS = "302 404 404 200 404 200 404 200"  # A's manager and accountant, the GM
A_PARTIES = "302 200 404 200 404 404 404 200"  # sales_a, A's manager, the GM
A_MANAGERS = "302 404 404 200 404 404 404 200"  # A's manager and the GM
A_ACCOUNTANT = "302 404 404 404 404 200 404 404"  # A's accountant alone
OWNER_ONLY = "302 200 404 404 404 404 404 404"  # sales_a alone
