{{ stage_observations('sistercity_observations') }}
