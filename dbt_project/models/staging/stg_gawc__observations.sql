{{ stage_observations('gawc_observations') }}
