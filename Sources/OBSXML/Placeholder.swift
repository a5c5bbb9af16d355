// Placeholder until the XML mapping lands.
