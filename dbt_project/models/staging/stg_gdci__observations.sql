{{ stage_observations('gdci_observations') }}
