{{ stage_observations('michelin_observations') }}
