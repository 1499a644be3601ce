"""Starting and stopping the services Kumiai needs (embedded by default, external by env)."""
