"""HTTP plumbing shared by providers: client construction and stream parsing."""
