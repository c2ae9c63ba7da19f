{{ stage_observations('singstat_observations') }}
