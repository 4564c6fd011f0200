"""The sheets of the data-entry workbook, a module each; :class:`..book.Book` runs them in order."""
