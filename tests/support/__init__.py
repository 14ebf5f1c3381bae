"""What the test suites share and import: the stack launcher, a shopper's chat, helpers.

Fixtures stay in the conftest files (pytest finds them there); whatever a test
module imports lives here, since conftest files are not modules to import.
"""
