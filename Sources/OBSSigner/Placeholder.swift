// Placeholder until the signers land.
