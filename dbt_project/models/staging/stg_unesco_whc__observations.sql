{{ stage_observations('unesco_whc_observations') }}
