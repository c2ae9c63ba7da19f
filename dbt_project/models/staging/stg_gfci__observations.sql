{{ stage_observations('gfci_observations') }}
