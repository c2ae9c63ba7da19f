{{ stage_observations('openflights_observations') }}
