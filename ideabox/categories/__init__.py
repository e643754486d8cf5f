"""A purpose's categories: the administration defines them, an idea's author picks one."""
