{{ stage_observations('un_wup_observations') }}
