ENTRIES: tuple = ()
