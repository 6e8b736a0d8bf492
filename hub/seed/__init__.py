"""`throughgate hub seed`: demo data for trying the workers' console and the phone on a new hub."""
