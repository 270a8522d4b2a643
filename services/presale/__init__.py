"""New-house presale and spot sale (seed 004): the next domain goes here."""
